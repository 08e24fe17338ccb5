"""Per-service scenarios for the persistence matrix.

Each ``create`` makes real resources and data through boto3 and returns what it
must find again; each ``verify`` checks more than existence: values, ids,
versions, and that keys, tokens and handles issued earlier still work.
"""

import base64
import io
import json
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from durable_harness import DurableServer

State = dict[str, Any]
ROLE_POLICY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "lambda.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
)


@dataclass(frozen=True)
class Scenario:
    name: str
    create: Callable[[DurableServer, str], State]
    verify: Callable[[DurableServer, State], None]


def _dynamodb_create(srv: DurableServer, tag: str) -> State:
    db = srv.client("dynamodb")
    table = f"orders-{tag}"
    db.create_table(
        TableName=table,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "customer", "AttributeType": "S"},
        ],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "by-customer",
                "KeySchema": [{"AttributeName": "customer", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
    )
    for n in range(5):
        db.put_item(
            TableName=table,
            Item={"pk": {"S": f"o{n}"}, "customer": {"S": "ada"}, "amount": {"N": str(n * 10)}},
        )
    db.update_item(
        TableName=table,
        Key={"pk": {"S": "o1"}},
        UpdateExpression="SET amount = amount + :d, tags = :t",
        ExpressionAttributeValues={":d": {"N": "5"}, ":t": {"SS": ["a", "b"]}},
    )
    db.delete_item(TableName=table, Key={"pk": {"S": "o4"}})
    return {"table": table}


def _dynamodb_verify(srv: DurableServer, state: State) -> None:
    db = srv.client("dynamodb")
    item = db.get_item(TableName=state["table"], Key={"pk": {"S": "o1"}})["Item"]
    assert item["amount"] == {"N": "15"}, item
    assert sorted(item["tags"]["SS"]) == ["a", "b"]
    assert "Item" not in db.get_item(TableName=state["table"], Key={"pk": {"S": "o4"}})
    by_customer = db.query(
        TableName=state["table"],
        IndexName="by-customer",
        KeyConditionExpression="customer = :c",
        ExpressionAttributeValues={":c": {"S": "ada"}},
    )
    assert by_customer["Count"] == 4


def _s3_create(srv: DurableServer, tag: str) -> State:
    s3 = srv.client("s3")
    bucket = f"docs-{tag}"
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    first = s3.put_object(Bucket=bucket, Key="a.txt", Body=b"first")["VersionId"]
    second = s3.put_object(Bucket=bucket, Key="a.txt", Body=b"second" * 1000)["VersionId"]
    s3.put_object_tagging(
        Bucket=bucket, Key="a.txt", Tagging={"TagSet": [{"Key": "k", "Value": "v"}]}
    )
    big = bytes(range(256)) * 8192  # 2 MiB: past Moto's in-memory spool size
    s3.put_object(Bucket=bucket, Key="big.bin", Body=big)
    return {"bucket": bucket, "versions": [first, second]}


def _s3_verify(srv: DurableServer, state: State) -> None:
    s3 = srv.client("s3")
    first, second = state["versions"]
    old = s3.get_object(Bucket=state["bucket"], Key="a.txt", VersionId=first)
    assert old["Body"].read() == b"first"
    new = s3.get_object(Bucket=state["bucket"], Key="a.txt")
    assert (new["VersionId"], new["Body"].read()) == (second, b"second" * 1000)
    tags = s3.get_object_tagging(Bucket=state["bucket"], Key="a.txt")["TagSet"]
    assert tags == [{"Key": "k", "Value": "v"}]
    big = s3.get_object(Bucket=state["bucket"], Key="big.bin")["Body"].read()
    assert big == bytes(range(256)) * 8192


def _sqs_create(srv: DurableServer, tag: str) -> State:
    sqs = srv.client("sqs")
    queue = sqs.create_queue(QueueName=f"jobs-{tag}")["QueueUrl"]
    for n in range(3):
        sqs.send_message(QueueUrl=queue, MessageBody=f"job {n}")
    held = sqs.receive_message(QueueUrl=queue, VisibilityTimeout=3600)["Messages"][0]
    fifo = sqs.create_queue(
        QueueName=f"steps-{tag}.fifo",
        Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "true"},
    )["QueueUrl"]
    sqs.send_message(QueueUrl=fifo, MessageBody="step", MessageGroupId="g")
    sqs.send_message(QueueUrl=fifo, MessageBody="step", MessageGroupId="g")  # deduplicated
    return {"queue": queue, "fifo": fifo, "held": held["ReceiptHandle"], "held_body": held["Body"]}


def _sqs_verify(srv: DurableServer, state: State) -> None:
    sqs = srv.client("sqs")
    attributes = sqs.get_queue_attributes(QueueUrl=state["queue"], AttributeNames=["All"])[
        "Attributes"
    ]
    assert attributes["ApproximateNumberOfMessages"] == "2"
    assert attributes["ApproximateNumberOfMessagesNotVisible"] == "1"
    visible = sqs.receive_message(
        QueueUrl=state["queue"], MaxNumberOfMessages=10, VisibilityTimeout=0
    )
    assert state["held_body"] not in [m["Body"] for m in visible.get("Messages", [])]
    fifo = sqs.get_queue_attributes(QueueUrl=state["fifo"], AttributeNames=["All"])["Attributes"]
    assert fifo["ApproximateNumberOfMessages"] == "1"
    # Still valid: changing visibility with a handle issued before the restart.
    sqs.change_message_visibility(
        QueueUrl=state["queue"], ReceiptHandle=state["held"], VisibilityTimeout=3600
    )


def _sns_create(srv: DurableServer, tag: str) -> State:
    sns, sqs = srv.client("sns"), srv.client("sqs")
    topic = sns.create_topic(Name=f"events-{tag}")["TopicArn"]
    queue = sqs.create_queue(QueueName=f"fanout-{tag}")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    subscription = sns.subscribe(
        TopicArn=topic,
        Protocol="sqs",
        Endpoint=queue_arn,
        Attributes={"RawMessageDelivery": "true", "FilterPolicy": json.dumps({"type": ["placed"]})},
    )["SubscriptionArn"]
    sns.publish(
        TopicArn=topic,
        Message="order placed",
        MessageAttributes={"type": {"DataType": "String", "StringValue": "placed"}},
    )
    return {"topic": topic, "subscription": subscription, "queue": queue}


def _sns_verify(srv: DurableServer, state: State) -> None:
    sns, sqs = srv.client("sns"), srv.client("sqs")
    attributes = sns.get_subscription_attributes(SubscriptionArn=state["subscription"])[
        "Attributes"
    ]
    assert attributes["RawMessageDelivery"] == "true"
    assert json.loads(attributes["FilterPolicy"]) == {"type": ["placed"]}
    assert attributes["TopicArn"] == state["topic"]
    queued = sqs.get_queue_attributes(QueueUrl=state["queue"], AttributeNames=["All"])["Attributes"]
    assert queued["ApproximateNumberOfMessages"] == "1"


def _ses_create(srv: DurableServer, tag: str) -> State:
    ses = srv.client("ses")
    sender = f"shop-{tag}@example.com"
    ses.verify_email_identity(EmailAddress=sender)
    message_id = ses.send_email(
        Source=sender,
        Destination={"ToAddresses": ["buyer@example.com"]},
        Message={"Subject": {"Data": "Thanks"}, "Body": {"Text": {"Data": "Your order"}}},
    )["MessageId"]
    sent = ses.get_send_quota()["SentLast24Hours"]
    return {"sender": sender, "message_id": message_id, "sent": sent}


def _ses_verify(srv: DurableServer, state: State) -> None:
    ses = srv.client("ses")
    assert state["sender"] in ses.list_identities()["Identities"]
    assert (
        ses.get_identity_verification_attributes(Identities=[state["sender"]])[
            "VerificationAttributes"
        ][state["sender"]]["VerificationStatus"]
        == "Success"
    )
    assert ses.get_send_quota()["SentLast24Hours"] >= state["sent"] >= 1


def _secrets_create(srv: DurableServer, tag: str) -> State:
    secrets = srv.client("secretsmanager")
    created = secrets.create_secret(Name=f"api-keys-{tag}", SecretString="v1")
    updated = secrets.put_secret_value(SecretId=created["ARN"], SecretString="v2")
    return {"arn": created["ARN"], "first": created["VersionId"], "second": updated["VersionId"]}


def _secrets_verify(srv: DurableServer, state: State) -> None:
    secrets = srv.client("secretsmanager")
    current = secrets.get_secret_value(SecretId=state["arn"])
    assert (current["SecretString"], current["VersionId"]) == ("v2", state["second"])
    old = secrets.get_secret_value(SecretId=state["arn"], VersionId=state["first"])
    assert old["SecretString"] == "v1"


def _ssm_create(srv: DurableServer, tag: str) -> State:
    ssm = srv.client("ssm")
    name = f"/shop/{tag}/db-url"
    ssm.put_parameter(Name=name, Value="postgres://a", Type="String")
    ssm.put_parameter(Name=name, Value="postgres://b", Type="String", Overwrite=True)
    ssm.put_parameter(Name=f"/shop/{tag}/password", Value="hunter2", Type="SecureString")
    return {"name": name, "secret": f"/shop/{tag}/password"}


def _ssm_verify(srv: DurableServer, state: State) -> None:
    ssm = srv.client("ssm")
    parameter = ssm.get_parameter(Name=state["name"])["Parameter"]
    assert (parameter["Value"], parameter["Version"]) == ("postgres://b", 2)
    history = ssm.get_parameter_history(Name=state["name"])["Parameters"]
    assert [entry["Value"] for entry in history] == ["postgres://a", "postgres://b"]
    secret = ssm.get_parameter(Name=state["secret"], WithDecryption=True)["Parameter"]
    assert secret["Value"] == "hunter2"


def _kms_create(srv: DurableServer, tag: str) -> State:
    kms = srv.client("kms")
    key = kms.create_key(Description=f"data-{tag}")["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName=f"alias/data-{tag}", TargetKeyId=key)
    ciphertext = kms.encrypt(KeyId=f"alias/data-{tag}", Plaintext=b"card 4242")["CiphertextBlob"]
    signer = kms.create_key(KeyUsage="SIGN_VERIFY", KeySpec="RSA_2048")["KeyMetadata"]["KeyId"]
    signature = kms.sign(KeyId=signer, Message=b"invoice", SigningAlgorithm="RSASSA_PSS_SHA_256")[
        "Signature"
    ]
    public_key = kms.get_public_key(KeyId=signer)["PublicKey"]
    return {
        "ciphertext": base64.b64encode(ciphertext).decode(),
        "signer": signer,
        "signature": base64.b64encode(signature).decode(),
        "public_key": base64.b64encode(public_key).decode(),
    }


def _kms_verify(srv: DurableServer, state: State) -> None:
    kms = srv.client("kms")
    plain = kms.decrypt(CiphertextBlob=base64.b64decode(state["ciphertext"]))["Plaintext"]
    assert plain == b"card 4242"
    public_key = kms.get_public_key(KeyId=state["signer"])["PublicKey"]
    assert base64.b64encode(public_key).decode() == state["public_key"]
    valid = kms.verify(
        KeyId=state["signer"],
        Message=b"invoice",
        Signature=base64.b64decode(state["signature"]),
        SigningAlgorithm="RSASSA_PSS_SHA_256",
    )["SignatureValid"]
    assert valid


def _cognito_create(srv: DurableServer, tag: str) -> State:
    idp = srv.client("cognito-idp")
    pool = idp.create_user_pool(PoolName=f"shoppers-{tag}")["UserPool"]["Id"]
    client_id = idp.create_user_pool_client(UserPoolId=pool, ClientName="web")["UserPoolClient"][
        "ClientId"
    ]
    idp.admin_create_user(
        UserPoolId=pool,
        Username="ada",
        UserAttributes=[{"Name": "email", "Value": "ada@example.com"}],
        TemporaryPassword="Temp-Passw0rd!",
    )
    idp.admin_set_user_password(
        UserPoolId=pool, Username="ada", Password="Real-Passw0rd!", Permanent=True
    )
    return {"pool": pool, "client": client_id}


def _cognito_verify(srv: DurableServer, state: State) -> None:
    idp = srv.client("cognito-idp")
    user = idp.admin_get_user(UserPoolId=state["pool"], Username="ada")
    assert {"Name": "email", "Value": "ada@example.com"} in user["UserAttributes"]
    tokens = idp.admin_initiate_auth(
        UserPoolId=state["pool"],
        ClientId=state["client"],
        AuthFlow="ADMIN_NO_SRP_AUTH",
        AuthParameters={"USERNAME": "ada", "PASSWORD": "Real-Passw0rd!"},
    )["AuthenticationResult"]
    assert tokens["AccessToken"]


def _events_create(srv: DurableServer, tag: str) -> State:
    events = srv.client("events")
    bus = events.create_event_bus(Name=f"shop-{tag}")["EventBusArn"]
    rule = events.put_rule(
        Name=f"placed-{tag}",
        EventBusName=f"shop-{tag}",
        EventPattern=json.dumps({"detail-type": ["OrderPlaced"]}),
    )["RuleArn"]
    events.put_targets(
        Rule=f"placed-{tag}",
        EventBusName=f"shop-{tag}",
        Targets=[{"Id": "log", "Arn": "arn:aws:logs:us-east-1:123456789012:log-group:x"}],
    )
    return {"bus": bus, "rule": rule, "name": f"placed-{tag}", "bus_name": f"shop-{tag}"}


def _events_verify(srv: DurableServer, state: State) -> None:
    events = srv.client("events")
    rule = events.describe_rule(Name=state["name"], EventBusName=state["bus_name"])
    assert rule["Arn"] == state["rule"]
    assert json.loads(rule["EventPattern"]) == {"detail-type": ["OrderPlaced"]}
    targets = events.list_targets_by_rule(Rule=state["name"], EventBusName=state["bus_name"])
    assert [target["Id"] for target in targets["Targets"]] == ["log"]


def _kinesis_create(srv: DurableServer, tag: str) -> State:
    kinesis = srv.client("kinesis")
    name = f"clicks-{tag}"
    kinesis.create_stream(StreamName=name, ShardCount=1)
    sequences = [
        kinesis.put_record(StreamName=name, Data=f"click {n}".encode(), PartitionKey="p")[
            "SequenceNumber"
        ]
        for n in range(3)
    ]
    return {"stream": name, "sequences": sequences}


def _kinesis_verify(srv: DurableServer, state: State) -> None:
    kinesis = srv.client("kinesis")
    shard = kinesis.describe_stream(StreamName=state["stream"])["StreamDescription"]["Shards"][0]
    iterator = kinesis.get_shard_iterator(
        StreamName=state["stream"], ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    records = kinesis.get_records(ShardIterator=iterator)["Records"]
    assert [r["SequenceNumber"] for r in records] == state["sequences"]
    assert [r["Data"] for r in records] == [b"click 0", b"click 1", b"click 2"]


def _function_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("handler.py", "def handle(event, context):\n    return event\n")
    return buffer.getvalue()


def _lambda_create(srv: DurableServer, tag: str) -> State:
    iam, lam = srv.client("iam"), srv.client("lambda")
    role = iam.create_role(RoleName=f"fn-{tag}", AssumeRolePolicyDocument=ROLE_POLICY)["Role"][
        "Arn"
    ]
    function = lam.create_function(
        FunctionName=f"resize-{tag}",
        Runtime="python3.11",
        Role=role,
        Handler="handler.handle",
        Code={"ZipFile": _function_zip()},
        Environment={"Variables": {"SIZE": "128"}},
    )
    version = lam.publish_version(FunctionName=f"resize-{tag}")["Version"]
    return {"name": f"resize-{tag}", "sha": function["CodeSha256"], "version": version}


def _lambda_verify(srv: DurableServer, state: State) -> None:
    lam = srv.client("lambda")
    config = lam.get_function_configuration(FunctionName=state["name"])
    assert config["CodeSha256"] == state["sha"]
    assert config["Environment"]["Variables"] == {"SIZE": "128"}
    versions = lam.list_versions_by_function(FunctionName=state["name"])["Versions"]
    assert state["version"] in [v["Version"] for v in versions]


def _stepfunctions_create(srv: DurableServer, tag: str) -> State:
    sfn = srv.client("stepfunctions")
    definition = json.dumps({"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}})
    machine = sfn.create_state_machine(
        name=f"checkout-{tag}",
        definition=definition,
        roleArn="arn:aws:iam::123456789012:role/sfn",
    )["stateMachineArn"]
    execution = sfn.start_execution(stateMachineArn=machine, input='{"order": 1}')["executionArn"]
    return {"machine": machine, "execution": execution, "definition": definition}


def _stepfunctions_verify(srv: DurableServer, state: State) -> None:
    sfn = srv.client("stepfunctions")
    machine = sfn.describe_state_machine(stateMachineArn=state["machine"])
    assert machine["definition"] == state["definition"]
    execution = sfn.describe_execution(executionArn=state["execution"])
    assert execution["input"] == '{"order": 1}'


def _iam_create(srv: DurableServer, tag: str) -> State:
    iam = srv.client("iam")
    user = iam.create_user(UserName=f"deployer-{tag}")["User"]
    key = iam.create_access_key(UserName=f"deployer-{tag}")["AccessKey"]
    policy = iam.create_policy(
        PolicyName=f"read-{tag}",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}],
            }
        ),
    )["Policy"]["Arn"]
    iam.attach_user_policy(UserName=f"deployer-{tag}", PolicyArn=policy)
    return {
        "user": user["UserName"],
        "user_id": user["UserId"],
        "key": key["AccessKeyId"],
        "policy": policy,
    }


def _iam_verify(srv: DurableServer, state: State) -> None:
    iam = srv.client("iam")
    assert iam.get_user(UserName=state["user"])["User"]["UserId"] == state["user_id"]
    keys = iam.list_access_keys(UserName=state["user"])["AccessKeyMetadata"]
    assert [k["AccessKeyId"] for k in keys] == [state["key"]]
    attached = iam.list_attached_user_policies(UserName=state["user"])["AttachedPolicies"]
    assert [p["PolicyArn"] for p in attached] == [state["policy"]]


def _sts_create(srv: DurableServer, tag: str) -> State:
    iam, sts = srv.client("iam"), srv.client("sts")
    role = iam.create_role(RoleName=f"ci-{tag}", AssumeRolePolicyDocument=ROLE_POLICY)["Role"][
        "Arn"
    ]
    credentials = sts.assume_role(RoleArn=role, RoleSessionName=f"build-{tag}")["Credentials"]
    return {
        "key": credentials["AccessKeyId"],
        "secret": credentials["SecretAccessKey"],
        "token": credentials["SessionToken"],
        "tag": tag,
    }


def _sts_verify(srv: DurableServer, state: State) -> None:
    import boto3

    sts = boto3.client(
        "sts",
        endpoint_url=srv.url,
        region_name="us-east-1",
        aws_access_key_id=state["key"],
        aws_secret_access_key=state["secret"],
        aws_session_token=state["token"],
    )
    identity = sts.get_caller_identity()
    assert identity["Arn"].endswith(f"assumed-role/ci-{state['tag']}/build-{state['tag']}")


def _logs_create(srv: DurableServer, tag: str) -> State:
    logs = srv.client("logs")
    group = f"/shop/{tag}"
    logs.create_log_group(logGroupName=group)
    logs.put_retention_policy(logGroupName=group, retentionInDays=7)
    logs.create_log_stream(logGroupName=group, logStreamName="api")
    now = int(time.time() * 1000)
    logs.put_log_events(
        logGroupName=group,
        logStreamName="api",
        logEvents=[{"timestamp": now + n, "message": f"line {n}"} for n in range(3)],
    )
    return {"group": group}


def _logs_verify(srv: DurableServer, state: State) -> None:
    logs = srv.client("logs")
    events = logs.get_log_events(
        logGroupName=state["group"], logStreamName="api", startFromHead=True
    )
    assert [e["message"] for e in events["events"]] == ["line 0", "line 1", "line 2"]
    group = logs.describe_log_groups(logGroupNamePrefix=state["group"])["logGroups"][0]
    assert group["retentionInDays"] == 7


def _cloudwatch_create(srv: DurableServer, tag: str) -> State:
    cw = srv.client("cloudwatch")
    cw.put_metric_data(
        Namespace=f"Shop/{tag}",
        MetricData=[{"MetricName": "Orders", "Value": 3.0, "Unit": "Count"}],
    )
    cw.put_metric_alarm(
        AlarmName=f"no-orders-{tag}",
        Namespace=f"Shop/{tag}",
        MetricName="Orders",
        Statistic="Sum",
        Period=60,
        EvaluationPeriods=1,
        Threshold=1.0,
        ComparisonOperator="LessThanThreshold",
    )
    return {"alarm": f"no-orders-{tag}", "namespace": f"Shop/{tag}"}


def _cloudwatch_verify(srv: DurableServer, state: State) -> None:
    cw = srv.client("cloudwatch")
    alarm = cw.describe_alarms(AlarmNames=[state["alarm"]])["MetricAlarms"][0]
    assert (alarm["Threshold"], alarm["ComparisonOperator"]) == (1.0, "LessThanThreshold")
    metrics = cw.list_metrics(Namespace=state["namespace"])["Metrics"]
    assert [m["MetricName"] for m in metrics] == ["Orders"]


def _apigateway_create(srv: DurableServer, tag: str) -> State:
    api = srv.client("apigateway")
    rest = api.create_rest_api(name=f"shop-{tag}")["id"]
    root = api.get_resources(restApiId=rest)["items"][0]["id"]
    resource = api.create_resource(restApiId=rest, parentId=root, pathPart="orders")["id"]
    api.put_method(restApiId=rest, resourceId=resource, httpMethod="POST", authorizationType="NONE")
    key = api.create_api_key(name=f"demo-{tag}", enabled=True)
    return {"rest": rest, "resource": resource, "key_id": key["id"], "key_value": key["value"]}


def _apigateway_verify(srv: DurableServer, state: State) -> None:
    api = srv.client("apigateway")
    resource = api.get_resource(restApiId=state["rest"], resourceId=state["resource"])
    assert resource["path"] == "/orders"
    assert "POST" in resource["resourceMethods"]
    key = api.get_api_key(apiKey=state["key_id"], includeValue=True)
    assert key["value"] == state["key_value"]


def _ec2_create(srv: DurableServer, tag: str) -> State:
    ec2 = srv.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    group = ec2.create_security_group(GroupName=f"web-{tag}", Description="web", VpcId=vpc)[
        "GroupId"
    ]
    ec2.authorize_security_group_ingress(
        GroupId=group,
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 443,
                "ToPort": 443,
                "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
            }
        ],
    )
    pair = ec2.create_key_pair(KeyName=f"deploy-{tag}")
    return {
        "vpc": vpc,
        "subnet": subnet,
        "group": group,
        "key": pair["KeyName"],
        "fingerprint": pair["KeyFingerprint"],
    }


def _ec2_verify(srv: DurableServer, state: State) -> None:
    ec2 = srv.client("ec2")
    subnet = ec2.describe_subnets(SubnetIds=[state["subnet"]])["Subnets"][0]
    assert subnet["VpcId"] == state["vpc"]
    group = ec2.describe_security_groups(GroupIds=[state["group"]])["SecurityGroups"][0]
    assert group["IpPermissions"][0]["FromPort"] == 443
    pair = ec2.describe_key_pairs(KeyNames=[state["key"]])["KeyPairs"][0]
    assert pair["KeyFingerprint"] == state["fingerprint"]


def _route53_create(srv: DurableServer, tag: str) -> State:
    r53 = srv.client("route53")
    zone = r53.create_hosted_zone(Name=f"{tag}.example.com", CallerReference=tag)["HostedZone"][
        "Id"
    ]
    r53.change_resource_record_sets(
        HostedZoneId=zone,
        ChangeBatch={
            "Changes": [
                {
                    "Action": "CREATE",
                    "ResourceRecordSet": {
                        "Name": f"api.{tag}.example.com",
                        "Type": "A",
                        "TTL": 60,
                        "ResourceRecords": [{"Value": "10.0.0.1"}],
                    },
                }
            ]
        },
    )
    return {"zone": zone, "name": f"api.{tag}.example.com."}


def _route53_verify(srv: DurableServer, state: State) -> None:
    records = srv.client("route53").list_resource_record_sets(HostedZoneId=state["zone"])
    a_records = [r for r in records["ResourceRecordSets"] if r["Type"] == "A"]
    assert [(r["Name"], r["ResourceRecords"][0]["Value"]) for r in a_records] == [
        (state["name"], "10.0.0.1")
    ]


def _acm_create(srv: DurableServer, tag: str) -> State:
    acm = srv.client("acm")
    arn = acm.request_certificate(DomainName=f"{tag}.example.com")["CertificateArn"]
    return {"arn": arn, "certificate": acm.get_certificate(CertificateArn=arn)["Certificate"]}


def _acm_verify(srv: DurableServer, state: State) -> None:
    acm = srv.client("acm")
    assert acm.get_certificate(CertificateArn=state["arn"])["Certificate"] == state["certificate"]


def _ecr_create(srv: DurableServer, tag: str) -> State:
    ecr = srv.client("ecr")
    repo = ecr.create_repository(repositoryName=f"shop/{tag}")["repository"]
    ecr.put_image_tag_mutability(repositoryName=f"shop/{tag}", imageTagMutability="IMMUTABLE")
    return {"name": f"shop/{tag}", "uri": repo["repositoryUri"], "arn": repo["repositoryArn"]}


def _ecr_verify(srv: DurableServer, state: State) -> None:
    repo = srv.client("ecr").describe_repositories(repositoryNames=[state["name"]])["repositories"][
        0
    ]
    assert (repo["repositoryUri"], repo["repositoryArn"]) == (state["uri"], state["arn"])
    assert repo["imageTagMutability"] == "IMMUTABLE"


def _glue_create(srv: DurableServer, tag: str) -> State:
    glue = srv.client("glue")
    glue.create_database(DatabaseInput={"Name": f"analytics_{tag}"})
    glue.create_table(
        DatabaseName=f"analytics_{tag}",
        TableInput={
            "Name": "orders",
            "StorageDescriptor": {"Columns": [{"Name": "id", "Type": "string"}]},
        },
    )
    return {"database": f"analytics_{tag}"}


def _glue_verify(srv: DurableServer, state: State) -> None:
    table = srv.client("glue").get_table(DatabaseName=state["database"], Name="orders")["Table"]
    assert table["StorageDescriptor"]["Columns"] == [{"Name": "id", "Type": "string"}]


def _cloudformation_create(srv: DurableServer, tag: str) -> State:
    cfn = srv.client("cloudformation")
    template = json.dumps(
        {
            "Resources": {
                "Queue": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": f"cfn-{tag}"}}
            }
        }
    )
    stack = cfn.create_stack(StackName=f"infra-{tag}", TemplateBody=template)["StackId"]
    return {"stack": stack, "queue": f"cfn-{tag}"}


def _cloudformation_verify(srv: DurableServer, state: State) -> None:
    cfn = srv.client("cloudformation")
    stack = cfn.describe_stacks(StackName=state["stack"])["Stacks"][0]
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    srv.client("sqs").get_queue_url(QueueName=state["queue"])


def _accounts_regions_create(srv: DurableServer, tag: str) -> State:
    for account in ("111111111111", "222222222222"):
        for region in ("us-east-1", "eu-west-1"):
            db = srv.client("dynamodb", region=region, account=account)
            db.create_table(
                TableName=f"t-{tag}",
                BillingMode="PAY_PER_REQUEST",
                AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
                KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
            )
            db.put_item(
                TableName=f"t-{tag}", Item={"k": {"S": "where"}, "v": {"S": f"{account}/{region}"}}
            )
    return {"table": f"t-{tag}"}


def _accounts_regions_verify(srv: DurableServer, state: State) -> None:
    for account in ("111111111111", "222222222222"):
        for region in ("us-east-1", "eu-west-1"):
            db = srv.client("dynamodb", region=region, account=account)
            item = db.get_item(TableName=state["table"], Key={"k": {"S": "where"}})["Item"]
            assert item["v"]["S"] == f"{account}/{region}"
            arn = db.describe_table(TableName=state["table"])["Table"]["TableArn"]
            assert f":{region}:{account}:" in arn


SCENARIOS = [
    Scenario("dynamodb", _dynamodb_create, _dynamodb_verify),
    Scenario("s3", _s3_create, _s3_verify),
    Scenario("sqs", _sqs_create, _sqs_verify),
    Scenario("sns", _sns_create, _sns_verify),
    Scenario("ses", _ses_create, _ses_verify),
    Scenario("secretsmanager", _secrets_create, _secrets_verify),
    Scenario("ssm", _ssm_create, _ssm_verify),
    Scenario("kms", _kms_create, _kms_verify),
    Scenario("cognito-idp", _cognito_create, _cognito_verify),
    Scenario("events", _events_create, _events_verify),
    Scenario("kinesis", _kinesis_create, _kinesis_verify),
    Scenario("lambda", _lambda_create, _lambda_verify),
    Scenario("stepfunctions", _stepfunctions_create, _stepfunctions_verify),
    Scenario("iam", _iam_create, _iam_verify),
    Scenario("sts", _sts_create, _sts_verify),
    Scenario("logs", _logs_create, _logs_verify),
    Scenario("cloudwatch", _cloudwatch_create, _cloudwatch_verify),
    Scenario("apigateway", _apigateway_create, _apigateway_verify),
    Scenario("ec2", _ec2_create, _ec2_verify),
    Scenario("route53", _route53_create, _route53_verify),
    Scenario("acm", _acm_create, _acm_verify),
    Scenario("ecr", _ecr_create, _ecr_verify),
    Scenario("glue", _glue_create, _glue_verify),
    Scenario("cloudformation", _cloudformation_create, _cloudformation_verify),
    Scenario("accounts-and-regions", _accounts_regions_create, _accounts_regions_verify),
]
